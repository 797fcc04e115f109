// What the disk file systems of Kernel.Vfs get from the kernel (Kernel.Vfs.FsHost): the sleeping
// lock is a Proc.Mutex (its holder is unkillable, so no on-disk change is left half-done by a
// kill), the wall clock is the CMOS clock carried by the TSC, the log is dmesg, and the
// unkillable section is the running task's NoKillDepth.
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;

namespace Kernel.Fs
{
    internal sealed class MutexLock : SleepLock
    {
        private readonly Mutex _mutex;
        public MutexLock(Mutex mutex) { _mutex = mutex; }
        public override void Lock() => _mutex.Lock();
        public override void Unlock() => _mutex.Unlock();
    }

    internal sealed class KernelFsHost : FsHost
    {
        private readonly Processes _processes;
        private readonly IrqLock _irq;
        private readonly Cpu _cpu;
        private readonly KernelOutput _out;

        public KernelFsHost(Processes processes, IrqLock irq, Cpu cpu, KernelOutput output)
        {
            _processes = processes;
            _irq = irq;
            _cpu = cpu;
            _out = output;
        }

        public override SleepLock CreateLock() => new MutexLock(new Mutex(_processes.Scheduler, _irq, _cpu, _out));
        public override uint Now => (uint)Rtc.Now;
        public override ulong UptimeMs => Tsc.UptimeMs;
        public override void Log(string line) => Kernel.Log.Line(line);

        public override void EnterUnkillable()
        {
            using (_irq.Hold()) _processes.Scheduler.Current.NoKillDepth++;
        }

        public override void LeaveUnkillable()
        {
            Task t;
            using (_irq.Hold()) t = _processes.Scheduler.Current;
            _processes.LeaveUnkillable(t);
        }
    }
}
