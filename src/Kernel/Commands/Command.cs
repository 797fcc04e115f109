// A shell built-in: a name, a one-line usage and description for `help`, and the function that
// runs it. Built-ins run inside the shell; they return an exit status (0 = success).
namespace Kernel.Commands
{
    internal delegate int CommandHandler(string[] argv, int argc);

    internal sealed class Command
    {
        public readonly string Name;
        public readonly string Usage;
        public readonly string Description;
        public readonly CommandHandler Run;

        public Command(string name, string usage, string description, CommandHandler run)
        {
            Name = name;
            Usage = usage;
            Description = description;
            Run = run;
        }
    }
}
