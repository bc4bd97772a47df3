/*
 * How a seccomp listener's waiters are woken (docs/PERFORMANCE-notes.md, section "recv").
 *
 * A child installs a filter that notifies getppid and makes N of them (its CPU as the argument,
 * printing "us/call"); T threads of the parent answer, each waiting either in NOTIF_RECV
 * (default) or, with EPOLL=1 in the environment, in its own epoll holding the listener with
 * EPOLLIN|EPOLLEXCLUSIVE, then RECV. The answer is CONTINUE, or with ADDFD=1 an ADDFD of
 * /dev/null with SEND (an emulated open's round trip). A third argument sets
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP. Prints the calls handled and how many were handled on the
 * child's CPU; with EPOLL=1 also how many threads saw the listener's hang-up (seccomp wakes one
 * exclusive waiter for it, so often not all).
 *
 * build: gcc -O2 -pthread -o wake-probe bench/src/wake-probe.c
 * usage: [EPOLL=1] [ADDFD=1] wake-probe T N [sync]
 */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/audit.h>
#include <sys/syscall.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include <stdatomic.h>
static int lfd; static atomic_int wakes, same, handled, hups; static int mode_epoll;
#include <sched.h>
#include <fcntl.h>
static int do_addfd;
static void answer(struct seccomp_notif *req){ if(do_addfd){ int fd=open("/dev/null",O_RDONLY|O_CLOEXEC); struct seccomp_notif_addfd a={.id=req->id,.flags=SECCOMP_ADDFD_FLAG_SEND,.srcfd=fd,.newfd=0,.newfd_flags=O_CLOEXEC}; ioctl(lfd,SECCOMP_IOCTL_NOTIF_ADDFD,&a); close(fd);} else { struct seccomp_notif_resp r={.id=req->id,.flags=SECCOMP_USER_NOTIF_FLAG_CONTINUE}; ioctl(lfd,SECCOMP_IOCTL_NOTIF_SEND,&r);} }
#include <time.h>
static void *thr_recv(void *a){
  for(;;){ struct seccomp_notif req; memset(&req,0,sizeof req);
    atomic_fetch_add(&wakes,1);
    if(ioctl(lfd,SECCOMP_IOCTL_NOTIF_RECV,&req)==0){ if((int)req.data.args[0]==sched_getcpu()) atomic_fetch_add(&same,1); atomic_fetch_add(&handled,1);
      answer(&req);} else return 0; }
}
static void *thr(void *a){
  if(!mode_epoll) return thr_recv(a);
  int ep=epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev={.events=EPOLLIN|EPOLLEXCLUSIVE};
  if(epoll_ctl(ep,EPOLL_CTL_ADD,lfd,&ev)) perror("ctl");
  for(;;){ struct epoll_event o; int n=epoll_wait(ep,&o,1,-1);
    atomic_fetch_add(&wakes,1);
    if(n==1 && (o.events&EPOLLHUP)){ atomic_fetch_add(&hups,1); return 0;}
    if(n==1){ struct seccomp_notif req; memset(&req,0,sizeof req);
      if(ioctl(lfd,SECCOMP_IOCTL_NOTIF_RECV,&req)==0){ if((int)req.data.args[0]==sched_getcpu()) atomic_fetch_add(&same,1); atomic_fetch_add(&handled,1); answer(&req);} }
  }
}
int main(int argc,char**argv){
  mode_epoll = getenv("EPOLL")!=0; do_addfd = getenv("ADDFD")!=0;
  int nthr=argc>1?atoi(argv[1]):3; int ncalls=argc>2?atoi(argv[2]):1000;
  int sv[2]; socketpair(AF_UNIX,SOCK_STREAM,0,sv);
  pid_t p=fork();
  if(!p){ struct sock_filter f[]={BPF_STMT(BPF_LD|BPF_W|BPF_ABS,offsetof(struct seccomp_data,nr)),
     BPF_JUMP(BPF_JMP|BPF_JEQ|BPF_K,SYS_getppid,0,1),BPF_STMT(BPF_RET|BPF_K,SECCOMP_RET_USER_NOTIF),BPF_STMT(BPF_RET|BPF_K,SECCOMP_RET_ALLOW)};
    struct sock_fprog pr={4,f}; prctl(PR_SET_NO_NEW_PRIVS,1,0,0,0);
    int fd=syscall(SYS_seccomp,SECCOMP_SET_MODE_FILTER,SECCOMP_FILTER_FLAG_NEW_LISTENER,&pr);
    struct msghdr m={0}; char buf[CMSG_SPACE(4)]; struct iovec io={"x",1}; m.msg_iov=&io;m.msg_iovlen=1;m.msg_control=buf;m.msg_controllen=sizeof buf;
    struct cmsghdr*c=CMSG_FIRSTHDR(&m);c->cmsg_level=SOL_SOCKET;c->cmsg_type=SCM_RIGHTS;c->cmsg_len=CMSG_LEN(4);memcpy(CMSG_DATA(c),&fd,4);
    sendmsg(sv[1],&m,0); close(fd); char x; read(sv[1],&x,1);
    struct timespec t0,t1; clock_gettime(CLOCK_MONOTONIC,&t0);
    if(getenv("ADDFD")) for(int i=0;i<ncalls;i++) { int fd=syscall(SYS_getppid, sched_getcpu()); if(fd>=0) close(fd); }
    else for(int i=0;i<ncalls;i++) syscall(SYS_getppid, sched_getcpu());
    clock_gettime(CLOCK_MONOTONIC,&t1); fprintf(stderr,"us/call %.2f\n",((t1.tv_sec-t0.tv_sec)*1e9+(t1.tv_nsec-t0.tv_nsec))/1000.0/ncalls);
    _exit(0);}
  struct msghdr m={0}; char buf[CMSG_SPACE(4)]; char x; struct iovec io={&x,1}; m.msg_iov=&io;m.msg_iovlen=1;m.msg_control=buf;m.msg_controllen=sizeof buf;
  recvmsg(sv[0],&m,0); memcpy(&lfd,CMSG_DATA(CMSG_FIRSTHDR(&m)),4);
  if(argc>3) { if(ioctl(lfd,0x40082104UL,1UL)) perror("sync"); }
  pthread_t t[16]; for(long i=0;i<nthr;i++) pthread_create(&t[i],0,thr,(void*)i);
  usleep(100000); write(sv[0],"g",1);
  waitpid(p,0,0); sleep(1);
  printf("%s wakes %d handled %d same-cpu %d for %d calls\n",mode_epoll?"epoll":"recv",wakes,handled,same,ncalls);
  if(mode_epoll) printf("hang-up seen by %d of %d threads (1 s after the child's exit)\n",hups,nthr);
  fflush(stdout);
  _exit(0);
}
