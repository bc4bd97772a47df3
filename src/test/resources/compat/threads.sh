# Compatibility workload: a 16-thread C program making fd calls from every thread.
set -e
mkdir work
./threads-fd work 16 20
