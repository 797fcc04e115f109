// Error numbers, as Linux numbers them, and glibc's strerror texts for them. This assembly sits
// below every other (the scheduler, the VFS and configfs, containers): errors cross layers as
// these values, and every message the user sees uses these texts ("File exists", …).
namespace Kernel.Abi
{
    public enum Errno
    {
        None = 0,
        EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, ECHILD = 10, EAGAIN = 11,
        ENOMEM = 12, EACCES = 13, EFAULT = 14, ENOTBLK = 15, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20,
        EISDIR = 21, EINVAL = 22, EFBIG = 27, ENOSPC = 28, EROFS = 30, ERANGE = 34, ENAMETOOLONG = 36,
        ENOTEMPTY = 39, EPIPE = 32, EXDEV = 18, EMLINK = 31, ELOOP = 40, EUCLEAN = 117,
    }

    public static class ErrnoText
    {
        // glibc's strerror(3) text.
        public static string Message(Errno e)
        {
            switch (e)
            {
                case Errno.None: return "Success";
                case Errno.EPERM: return "Operation not permitted";
                case Errno.ENOENT: return "No such file or directory";
                case Errno.ESRCH: return "No such process";
                case Errno.EINTR: return "Interrupted system call";
                case Errno.EIO: return "Input/output error";
                case Errno.EBADF: return "Bad file descriptor";
                case Errno.ECHILD: return "No child processes";
                case Errno.EAGAIN: return "Resource temporarily unavailable";
                case Errno.ENOMEM: return "Cannot allocate memory";
                case Errno.EACCES: return "Permission denied";
                case Errno.EFAULT: return "Bad address";
                case Errno.EBUSY: return "Device or resource busy";
                case Errno.EEXIST: return "File exists";
                case Errno.ENODEV: return "No such device";
                case Errno.ENOTDIR: return "Not a directory";
                case Errno.EISDIR: return "Is a directory";
                case Errno.EINVAL: return "Invalid argument";
                case Errno.EFBIG: return "File too large";
                case Errno.ENOSPC: return "No space left on device";
                case Errno.EROFS: return "Read-only file system";
                case Errno.EPIPE: return "Broken pipe";
                case Errno.ERANGE: return "Numerical result out of range";
                case Errno.ENAMETOOLONG: return "File name too long";
                case Errno.ENOTEMPTY: return "Directory not empty";
                case Errno.ENOTBLK: return "Block device required";
                case Errno.EXDEV: return "Invalid cross-device link";
                case Errno.EMLINK: return "Too many links";
                case Errno.ELOOP: return "Too many levels of symbolic links";
                case Errno.EUCLEAN: return "Structure needs cleaning";
                default: return "Unknown error";
            }
        }
    }
}
