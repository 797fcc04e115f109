// A shell built-in: a name, a one-line usage and description for `help`, and the function that
// runs it. Built-ins run inside the shell; they return an exit status (0 = success). A process
// command (Process) runs in a child task of its own instead, like a program: it may run in the
// background (&), Ctrl-C and kill reach it, and what it holds must be freed by its exit (or it
// marks the stretch unkillable, Jobs.EnterUnkillable).
namespace Kernel.Commands
{
    internal delegate int CommandHandler(string[] argv, int argc);

    internal sealed class Command
    {
        public readonly string Name;
        public readonly string Usage;
        public readonly string Description;
        public readonly CommandHandler Run;
        public readonly bool Process;

        public Command(string name, string usage, string description, CommandHandler run, bool process = false)
        {
            Name = name;
            Usage = usage;
            Description = description;
            Run = run;
            Process = process;
        }
    }
}
