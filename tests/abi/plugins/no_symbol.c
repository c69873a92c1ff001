/* A library without the entry symbol. */
int hr_not_the_entry(void) { return 1; }
