/* cdc-read - placeholder until the reader lands (issue 3). */
#include <stdio.h>
int main(void);
int
main(void)
{
	fputs("usage: cdc-read [options]\ncdc-read: not implemented yet\n", stderr);
	return 2;
}
