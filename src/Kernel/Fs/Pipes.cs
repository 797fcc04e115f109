// Pipes for the shell's pipelines: a Kernel.Vfs Pipe whose readers and writers sleep on the
// scheduler's wait queues, its ends wrapped as a FileInput (read end) and a FileOutput (write
// end, line-buffered). A sleep in a pipe is interruptible: a fatal signal ends it (the task dies
// at the next safe point, or, inside an unkillable stretch, the call returns EINTR), and a task
// already ending by a signal (Process.Killed) never waits for a pipe's reader.
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;

namespace Kernel.Fs
{
    internal sealed class TaskPipeWait : PipeWait
    {
        private readonly Processes _processes;
        private readonly WaitQueue _queue;

        public TaskPipeWait(Processes processes)
        {
            _processes = processes;
            _queue = new WaitQueue(processes.Scheduler);
        }

        // Interrupt lock held (it nests: Yield takes it once more).
        public override bool Sleep()
        {
            Scheduler s = _processes.Scheduler;
            Task self = s.Current;
            if (MustGiveUp(s, self)) return false;
            s.Block(_queue, 0);
            _processes.Yield();
            return !MustGiveUp(s, self);
        }

        public override void WakeAll() => _processes.Scheduler.WakeAll(_queue);

        private static bool MustGiveUp(Scheduler s, Task t) => s.HasFatalSignal(t) || (t is Process p && p.Killed);
    }

    internal static class Pipes
    {
        public static void Create(Processes processes, IrqLock irq, out FileInput reader, out FileOutput writer)
        {
            using (irq.Hold())
            {
                Pipe.Create(new TaskPipeWait(processes), new TaskPipeWait(processes), out OpenFile readEnd, out OpenFile writeEnd);
                reader = new FileInput(readEnd, irq);
                writer = new FileOutput(writeEnd, irq);
            }
        }
    }
}
