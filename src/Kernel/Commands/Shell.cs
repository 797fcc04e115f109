// PID 1's shell: reads lines through the line editor (Shell/LineEditor.cs) and runs them with
// its Interpreter (pipes, lists, globs, redirections). It never exits. Nothing typed here may
// panic the kernel (panic-test excepted): every error is a message and an exit status.
// The command table (built-ins) and the editor's history are reached here by the commands.
using Kernel.Drivers;
using Kernel.Shell;

namespace Kernel.Commands
{
    // Editor output to both consoles.
    internal sealed class ConsoleOutput : TerminalOutput
    {
        public override void Write(char c) => Console.Write(c);
        public override void Write(string s) => Console.Write(s);
    }

    internal static class Shell
    {
        private static Command[] s_commands;
        private static LineEditor s_editor;

        public static Command[] Commands => s_commands;
        public static History History => s_editor == null ? null : s_editor.History;

        public static void Run()
        {
            s_commands = Builtins.All();
            Proc.ProgramInfo[] programs = Proc.Programs.All();
            string[] names = new string[s_commands.Length + programs.Length];
            for (int i = 0; i < s_commands.Length; i++) names[i] = s_commands[i].Name;
            for (int i = 0; i < programs.Length; i++) names[s_commands.Length + i] = programs[i].Name;
            LineEditor editor = new LineEditor(new ConsoleOutput(), names, new VfsGlobTree());
            s_editor = editor;
            Interpreter shell = new Interpreter();
            Log.StopEcho();
            ulong reportedDrops = 0;
            while (true)
            {
                if (Sys.ProcessesStarted) Jobs.ReapAndNotify();
                // Input is never dropped silently (Drivers/InputQueue.cs): say so before the prompt.
                ulong dropped = InputQueue.Dropped;
                if (dropped != reportedDrops)
                {
                    Console.Error(string.Concat("sh: ", (dropped - reportedDrops).ToString(), " typed bytes were dropped (input came faster than it was read)"));
                    reportedDrops = dropped;
                }
                Console.Write(Prompt());
                string line = ReadLine(editor);
                if (line != null) shell.RunLine(line);
            }
        }

        // "<cwd> # ", as busybox's root prompt.
        private static string Prompt() => string.Concat(Sys.Processes.Init.Cwd, " # ");

        // One line, or null when it was cancelled or too long (after saying so).
        private static string ReadLine(LineEditor editor)
        {
            while (true)
            {
                switch (editor.Feed(InputQueue.Get()))
                {
                    case EditResult.Line: return editor.Line;
                    case EditResult.Cancelled: return null;
                    case EditResult.TooLong:
                        Console.WriteLine("sh: line too long");
                        return null;
                    case EditResult.RedrawPrompt:
                        Console.Write(Prompt());
                        editor.Redraw();
                        break;
                }
            }
        }

        public static Command Find(string name)
        {
            for (int i = 0; i < s_commands.Length; i++)
                if (s_commands[i].Name == name) return s_commands[i];
            return null;
        }

        // Runs argv as one command in the current task's streams (repeat's way): a built-in
        // here, a program or process command in a child waited for.
        public static int Execute(string[] argv, int argc)
        {
            if (argc == 0) return 0;
            string[] args = new string[argc];
            for (int i = 0; i < argc; i++) args[i] = argv[i];
            Command command = Find(args[0]);
            if (command != null && !command.Process) return command.Run(args, argc);
            Proc.ProgramInfo program = command == null ? Proc.Programs.Find(args[0]) : null;
            if (command == null && program == null)
            {
                Console.Error(string.Concat("sh: ", args[0], ": not found"));
                return 127;
            }
            Proc.ProgramMain main = program != null ? program.Main : Jobs.AsMain(command);
            return Jobs.RunTask(Text.Words(args), main, args, false, null, out int _);
        }
    }
}
