// Nested interrupt disabling (xv6's push_off/pop_off): the outermost Enter remembers whether
// interrupts were on, the matching outermost Exit restores that. Single CPU; per task (see Restore).
namespace Kernel.Arch
{
    internal static class IrqLock
    {
        private const ulong InterruptFlag = 1 << 9;
        private static int s_depth;
        private static bool s_wereEnabled;

        public static void Enter()
        {
            ulong flags = Native.ReadFlags();
            Native.Cli();
            if (s_depth++ == 0) s_wereEnabled = (flags & InterruptFlag) != 0;
        }

        public static void Exit()
        {
            if (--s_depth == 0 && s_wereEnabled) Native.Sti();
        }

        // The nesting state belongs to the task that entered it: a context switch saves the
        // outgoing task's state and restores the incoming one's (interrupts are off meanwhile).
        public static int Depth => s_depth;
        public static bool WereEnabled => s_wereEnabled;

        public static void Restore(int depth, bool wereEnabled)
        {
            s_depth = depth;
            s_wereEnabled = wereEnabled;
        }
    }
}
