/* cdc-write-kafka - placeholder until the reader lands (issues 4 and 5). */
#include <stdio.h>
int main(void);
int
main(void)
{
	fputs("usage: cdc-write-kafka [options]\ncdc-write-kafka: not implemented yet\n", stderr);
	return 2;
}
