# esyd: drive the jsyd/Syd sandbox from a POSIX shell through the /dev/syd runtime API.
# Load it with:  eval "$(syd --sh)"   (or: . /dev/syd.sh inside an unlocked sandbox)
# Every function returns 0 on success and non-zero on failure, like `test -c /dev/syd/...`.
# Category names use "_" for "/" in function names: esyd allow_net_connect '127.0.0.1!80'.

esyd() {
    _esyd_cmd="$1"
    [ $# -gt 0 ] && shift
    case "$_esyd_cmd" in
    api) echo 3 ;;
    check) test -e /dev/syd ;;
    stat|info) cat /dev/syd ;;
    lock) test -c /dev/syd/lock:on ;;
    unlock) test -c /dev/syd/lock:off ;;
    exec_lock) test -c /dev/syd/lock:exec ;;
    drop_lock) test -c /dev/syd/lock:drop ;;
    read_lock) test -c /dev/syd/lock:read ;;
    panic) test -c /dev/syd/panic ;;
    reset) test -c /dev/syd/reset ;;
    load) test -c "/dev/syd/load/$1" ;;
    mem_max) test -c "/dev/syd/mem/max:$1" ;;
    vm_max) test -c "/dev/syd/mem/vm_max:$1" ;;
    pid_max) test -c "/dev/syd/pid/max:$1" ;;
    exec)
        _esyd_args=""
        for _esyd_a in "$@"; do _esyd_args="$_esyd_args$(printf '%s\037' "$_esyd_a")"; done
        test -c "/dev/syd/cmd/exec!$_esyd_args" ;;
    enable_*) test -c "/dev/syd/sandbox/$(_esyd_cap "${_esyd_cmd#enable_}"):on" ;;
    disable_*) test -c "/dev/syd/sandbox/$(_esyd_cap "${_esyd_cmd#disable_}"):off" ;;
    enabled_*) test -c "/dev/syd/sandbox/$(_esyd_cap "${_esyd_cmd#enabled_}")?" ;;
    default_*) test -c "/dev/syd/default/$(_esyd_cap "${_esyd_cmd#default_}"):$1" ;;
    allow_*) _esyd_rule allow "${_esyd_cmd#allow_}" + "$@" ;;
    disallow_*) _esyd_rule allow "${_esyd_cmd#disallow_}" - "$@" ;;
    deny_*) _esyd_rule deny "${_esyd_cmd#deny_}" + "$@" ;;
    nodeny_*) _esyd_rule deny "${_esyd_cmd#nodeny_}" - "$@" ;;
    warn_*) _esyd_rule warn "${_esyd_cmd#warn_}" + "$@" ;;
    nowarn_*) _esyd_rule warn "${_esyd_cmd#nowarn_}" - "$@" ;;
    filter_*) _esyd_rule filter "${_esyd_cmd#filter_}" + "$@" ;;
    unfilter_*) _esyd_rule filter "${_esyd_cmd#unfilter_}" - "$@" ;;
    help|'')
        echo "usage: esyd api|check|stat|info|lock|unlock|exec_lock|drop_lock|read_lock|panic|reset"
        echo "       esyd enable_CAT|disable_CAT|enabled_CAT|default_CAT ACTION"
        echo "       esyd allow_CAT|disallow_CAT|deny_CAT|nodeny_CAT|warn_CAT|filter_CAT PATTERN..."
        echo "       esyd mem_max SIZE|vm_max SIZE|pid_max N|exec PROG ARGS..."
        ;;
    *) echo "esyd: unknown subcommand '$_esyd_cmd'" >&2; return 2 ;;
    esac
}

# net_connect -> net/connect, lock_read -> lock/read
_esyd_cap() {
    case "$1" in
    net_*|lock_*) printf '%s/%s' "${1%%_*}" "${1#*_}" ;;
    *) printf '%s' "$1" ;;
    esac
}

_esyd_rule() {
    _esyd_act="$1"; _esyd_c="$(_esyd_cap "$2")"; _esyd_op="$3"
    shift 3
    [ $# -gt 0 ] || { echo "esyd: ${_esyd_act}_$2 needs a pattern" >&2; return 2; }
    for _esyd_p in "$@"; do
        test -c "/dev/syd/$_esyd_act/$_esyd_c$_esyd_op$_esyd_p" || return 1
    done
}
