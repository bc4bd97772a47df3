package dev.jsyd.supervisor;

import static dev.jsyd.abi.OpenFlags.*;

import java.util.ArrayList;
import java.util.List;

/** open(2) flags as the lower-case names the log's {@code oflags} field uses. */
final class OpenFlagNames {
    private OpenFlagNames() {}

    static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        switch (flags & O_ACCMODE) {
            case O_RDONLY -> out.add("rdonly");
            case O_WRONLY -> out.add("wronly");
            default -> out.add("rdwr");
        }
        if ((flags & O_TMPFILE) == O_TMPFILE) out.add("tmpfile");
        else if ((flags & O_DIRECTORY) != 0) out.add("directory");
        if ((flags & O_CREAT) != 0) out.add("creat");
        if ((flags & O_EXCL) != 0) out.add("excl");
        if ((flags & O_TRUNC) != 0) out.add("trunc");
        if ((flags & O_APPEND) != 0) out.add("append");
        if ((flags & O_NONBLOCK) != 0) out.add("nonblock");
        if ((flags & O_NOFOLLOW) != 0) out.add("nofollow");
        if ((flags & O_CLOEXEC) != 0) out.add("cloexec");
        if ((flags & O_PATH) != 0) out.add("path");
        return out;
    }
}
