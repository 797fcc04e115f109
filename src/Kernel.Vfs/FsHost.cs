// What a disk file system needs of the kernel beyond the block layer and Kernel.Mm, as small
// abstract classes the kernel implements and the host tests fake: a sleeping lock (every VFS call
// holds the interrupt lock, but disk I/O sleeps and lets other tasks in, so a file system that
// changes several on-disk structures in one operation needs a lock that is held across the sleeps:
// the kernel's Mutex), the wall clock (the CMOS clock, for inode times), the uptime in
// milliseconds (writeback ages) and the kernel log (dmesg lines for corrupt images).
namespace Kernel.Vfs
{
    public abstract class SleepLock
    {
        // Sleeps until the lock is free; not recursive.
        public abstract void Lock();
        public abstract void Unlock();
    }

    public abstract class FsHost
    {
        // A new lock (one per mounted file system).
        public abstract SleepLock CreateLock();
        // Seconds since 1970-01-01 00:00 UTC.
        public abstract uint Now { get; }
        public abstract ulong UptimeMs { get; }
        // One line in the kernel log ("ext2: vdb: ...").
        public abstract void Log(string line);
        // A section the running task is not killed in (a page fault's read-in holds pages Locked
        // that only it will unlock); nests. A kill that came meanwhile takes effect after.
        public virtual void EnterUnkillable() { }
        public virtual void LeaveUnkillable() { }
    }
}
