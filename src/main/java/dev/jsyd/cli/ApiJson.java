package dev.jsyd.cli;
final class ApiJson { static void write(java.io.OutputStream o) { } }
