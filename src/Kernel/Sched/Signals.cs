// The small vocabulary of the scheduler: task states, error numbers (Linux values) and the
// signals a task can be sent. Pure values: no state, nothing to lock.
// Signals here: SIGINT, SIGKILL, SIGPIPE and SIGTERM, all fatal (no handlers yet); 0 is the null
// signal of kill(2) (checks that the target exists and may be signalled, delivers nothing).
// SIGPIPE is what a writer to a pipe without readers gets (the shell's pipelines).
namespace Kernel.Sched
{
    public enum TaskState { Runnable, Running, Sleeping, Stopped, Zombie }

    public static class Signals
    {
        public const int SIGINT = 2, SIGKILL = 9, SIGPIPE = 13, SIGTERM = 15;

        // Bit (1UL << signal) for each fatal signal, as in Task.PendingSignals.
        public const ulong FatalMask = (1UL << SIGINT) | (1UL << SIGKILL) | (1UL << SIGPIPE) | (1UL << SIGTERM);

        // kill(1) spellings, case-sensitive: "2", "INT", "SIGINT", "9", "KILL", "SIGKILL",
        // "13", "PIPE", "SIGPIPE", "15", "TERM", "SIGTERM". Anything else (null, "-9", "kill", "0") is refused with 0.
        public static bool TryParse(string text, out int signal)
        {
            signal = 0;
            if ((object)text == null) return false;
            if (text == "2" || text == "INT" || text == "SIGINT") signal = SIGINT;
            else if (text == "9" || text == "KILL" || text == "SIGKILL") signal = SIGKILL;
            else if (text == "13" || text == "PIPE" || text == "SIGPIPE") signal = SIGPIPE;
            else if (text == "15" || text == "TERM" || text == "SIGTERM") signal = SIGTERM;
            return signal != 0;
        }

        // kill -l style: "INT", "KILL", "PIPE", "TERM"; any other number in decimal.
        public static string Name(int signal)
        {
            if (signal == SIGINT) return "INT";
            if (signal == SIGKILL) return "KILL";
            if (signal == SIGPIPE) return "PIPE";
            if (signal == SIGTERM) return "TERM";
            return signal.ToString();
        }

        public static bool IsFatal(int signal) => signal == SIGINT || signal == SIGKILL || signal == SIGPIPE || signal == SIGTERM;

        // What Kill accepts: the fatal signals and the null signal 0.
        public static bool IsValid(int signal) => signal == 0 || IsFatal(signal);
    }
}
