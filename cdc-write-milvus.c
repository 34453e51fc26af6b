/* cdc-write-milvus - placeholder until the reader lands (issues 4 and 5). */
#include <stdio.h>
int main(void);
int
main(void)
{
	fputs("usage: cdc-write-milvus [options]\ncdc-write-milvus: not implemented yet\n", stderr);
	return 2;
}
