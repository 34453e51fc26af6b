/* cdc-write-json - placeholder until the reader lands (issues 4 and 5). */
#include <stdio.h>
int main(void);
int
main(void)
{
	fputs("usage: cdc-write-json [options]\ncdc-write-json: not implemented yet\n", stderr);
	return 2;
}
