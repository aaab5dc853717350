/*
 * interrupt.h — SIGINT and SIGTERM as a status, not an exit (SPEC §2: the
 * file being imported is rolled back, earlier files stay, no temporary
 * file is left behind, exit 130 / 143).
 *
 * main installs the handlers once; the handler only records the signal.
 * Long loops (reading rows, writing sheets, sorting) poll
 * interrupt_pending() and return TA_E_INTERRUPTED, so every module cleans
 * up on its ordinary error path; SQLite is stopped through the progress
 * handler db_open installs (SQLITE_INTERRUPT becomes TA_E_INTERRUPTED).
 * This is the program's one piece of global mutable state: a signal
 * cannot be delivered anywhere else.
 */
#ifndef TICKET_AUDIT_INTERRUPT_H
#define TICKET_AUDIT_INTERRUPT_H

/* Installs the SIGINT and SIGTERM handlers (without SA_RESTART, so a
 * blocking read returns EINTR) and ignores SIGXFSZ and SIGPIPE, so a
 * file-size limit or a closed pipe is an ordinary write error. Returns 0,
 * or -1 when sigaction fails. */
int interrupt_install(void);

/* The signal received (SIGINT, SIGTERM), 0 when none. Cheap: a read of
 * one sig_atomic_t. */
int interrupt_pending(void);

/* FOR TESTS: records sig as if it had been delivered (0 clears). */
void interrupt_raise_for_test(int sig);

#endif
