package dev.jsyd.bpf;

/** A BPF program that cannot be built or that the kernel would refuse. */
public class BpfException extends RuntimeException {
    public BpfException(String message) {
        super(message);
    }
}
