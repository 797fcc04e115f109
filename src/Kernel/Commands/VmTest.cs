// vmtest: exercises Kernel.Mm's virtual memory on the real MMU — demand-zero faults through the
// #PF handler, a copy-on-write fork (each side's writes stay its own), CR3 switches between
// processes, and the return of every frame (free count back to its start) once both address
// spaces are gone. Also the demand-zero fault benchmark of `bench mm`.
//
// Invariant: every address space touched here belongs to a task (its Task.Mm), so the scheduler
// puts the right tables in CR3 whoever else runs meanwhile; nothing here writes CR3. The test
// runs in two processes — `vmtest` (a child of the caller, with a fresh mm) and `vmtest-child`
// (its fork) — that take turns through s_stage; the caller checks the frame counts after both
// have been reaped. A fault either cannot survive kills that process, not the kernel.
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;

namespace Kernel.Commands
{
    internal static unsafe class VmTest
    {
        private const ulong Base = 0x400000;
        private const int Pages = 64;
        private const int TurnTimeoutMs = 10000;
        private static string s_failure;
        private static volatile int s_stage;     // 1: the child wrote; 2: the parent wrote after it
        private static uint s_inactiveBefore;
        private static ulong s_faultCycles;

        private static void Check(bool condition, string what)
        {
            if (!condition && s_failure == null) s_failure = what;
        }

        private static ulong* Slot(int page) => (ulong*)(Base + (ulong)page * 4096);

        // Frames outside the heap and the kernel stacks' page tables: heap objects made here (the
        // tasks) take frames too, and a new stack slot may need a page table that stays.
        private static ulong FramesAccounted() =>
            PhysicalMemory.FreeFrames() + Kernel.Runtime.Collector.HeapFrames + (ulong)Sys.Stacks.TableFrames;

        public static int Run(string[] argv, int argc)
        {
            s_failure = null;
            s_stage = 0;
            ulong freeBefore = FramesAccounted();
            s_inactiveBefore = Sys.Memory.InactivePages();

            int status = Jobs.RunTask("vmtest", Parent, null, false, null, out int pid);
            if (pid == 0) return 1;
            if (status >= 128) Check(false, "the vmtest process was killed");
            Check(status == 0 || s_failure != null, "the vmtest process failed");
            Check(FramesAccounted() == freeBefore, "every frame returned after both processes exited");
            Check(Sys.Memory.InactivePages() == s_inactiveBefore, "the LRU is empty again");

            if (s_failure != null)
            {
                Console.WriteLine(string.Concat("vmtest: FAILED: ", s_failure));
                return 1;
            }
            Console.WriteLine(string.Concat("vmtest: ok (", Pages.ToString(), " pages faulted, fork with copy-on-write, ",
                "free frames back to ", freeBefore.ToString(), ")"));
            return 0;
        }

        // Waits (sleeping) until s_stage reaches stage; false on a timeout or a fatal signal.
        private static bool AwaitStage(int stage)
        {
            for (int i = 0; i < TurnTimeoutMs && s_stage < stage; i++)
                if (!Sys.Processes.Sleep(1)) return false;
            return s_stage >= stage;
        }

        // The `vmtest` process: its own mm is the parent side.
        private static int Parent(string[] argv)
        {
            Process self = Sys.Processes.Current;
            AddressSpace mm = self.Mm;
            if (mm == null || Sys.Memory.MapAnonymous(mm, Base, Pages, Protection.Read | Protection.Write) != Errno.None)
            {
                Check(false, "out of memory");
                return 1;
            }
            Check(*Slot(5) == 0, "a new page reads as zero");
            for (int i = 0; i < Pages; i++) *Slot(i) = (ulong)i * 31 + 7;
            for (int i = 0; i < Pages; i++) Check(*Slot(i) == (ulong)i * 31 + 7, "values written read back");
            Check(mm.ResidentPages == Pages, "one resident page per touched page");
            Check(Sys.Memory.InactivePages() == s_inactiveBefore + Pages, "new pages are on the inactive LRU");

            Errno e = Sys.Processes.Spawn(self, "vmtest-child", TaskKind.User, Child, null, MmSource.Fork, out Process child);
            if (e != Errno.None)
            {
                Check(false, string.Concat("fork: ", ErrnoText.Message(e)));
                return 1;
            }
            if (AwaitStage(1))
            {
                Check(*Slot(0) == 7, "a child's write does not change the parent's page");
                *Slot(1) = 555;                                   // copy-on-write in the parent
            }
            else Check(false, "the child did not take its turn");
            s_stage = 2;
            Sys.Processes.Wait(child.Pid, out int _, out int status);
            Check(status == 0, "the child exited with an error");
            return s_failure == null ? 0 : 1;
        }

        // `vmtest-child`: a copy-on-write copy of the parent's mm.
        private static int Child(string[] argv)
        {
            Check(*Slot(3) == 3 * 31 + 7, "the child sees the parent's data");
            *Slot(0) = 999;                                       // copy-on-write in the child
            s_stage = 1;
            if (!AwaitStage(2)) return 1;
            Check(*Slot(0) == 999 && *Slot(1) == 38, "each side keeps its own copy");
            return 0;
        }

        // Cycles per demand-zero fault: a process touches `pages` fresh anonymous pages once each.
        // 0 when that failed (no memory, or the process was killed): never an earlier run's figure.
        public static ulong FaultCycles(int pages)
        {
            s_faultCycles = 0;
            string[] args = new string[] { "bench-fault", pages.ToString() };
            int status = Jobs.RunTask("bench-fault", FaultMain, args, false, null, out int _);
            return status == 0 ? s_faultCycles : 0;
        }

        private static int FaultMain(string[] argv)
        {
            Kernel.Shell.Numbers.TryParseULong(argv[1], out ulong pages);
            AddressSpace mm = Sys.Processes.Current.Mm;
            if (pages == 0 || mm == null || Sys.Memory.MapAnonymous(mm, Base, pages, Protection.Read | Protection.Write) != Errno.None) return 1;
            ulong start = Native.Rdtsc();
            for (ulong i = 0; i < pages; i++) *(byte*)(Base + i * 4096) = 1;
            ulong cycles = Native.Rdtsc() - start;
            s_faultCycles = cycles / pages;
            return 0;
        }
    }
}
