/* main.c — placeholder until the command line lands. */
#include <stdio.h>
#include "ta.h"
int main(void)
{
    printf("ticket-audit %s\n", TA_VERSION);
    return 0;
}
