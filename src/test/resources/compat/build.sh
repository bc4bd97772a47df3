# Compatibility workload: gcc and make -j2.
set -e
for i in 1 2 3 4 5 6; do printf 'int f%d(int x) { return x * %d; }\n' $i $i > f$i.c; done
cat > main.c <<'EOF'
#include <stdio.h>
int f1(int), f2(int), f3(int), f4(int), f5(int), f6(int);
int main(void) { printf("sum %d\n", f1(1) + f2(2) + f3(3) + f4(4) + f5(5) + f6(6)); return 0; }
EOF
cat > Makefile <<'EOF'
OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o
prog: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: %.c
	$(CC) -O2 -c -o $@ $<
EOF
make -s -j2
./prog
