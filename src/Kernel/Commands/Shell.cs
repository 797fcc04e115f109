// PID 1's shell: reads lines through the line editor (Shell/LineEditor.cs), splits them with the
// quoting parser (Shell/CommandLine.cs) and runs built-ins. It never exits. Nothing typed here
// may panic the kernel (panic-test excepted): every error is a message and an exit status.
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
        private static int s_lastStatus;

        public static Command[] Commands => s_commands;
        public static int LastStatus => s_lastStatus;

        public static void Run()
        {
            s_commands = Builtins.All();
            Proc.ProgramInfo[] programs = Proc.Programs.All();
            string[] names = new string[s_commands.Length + programs.Length];
            for (int i = 0; i < s_commands.Length; i++) names[i] = s_commands[i].Name;
            for (int i = 0; i < programs.Length; i++) names[s_commands.Length + i] = programs[i].Name;
            LineEditor editor = new LineEditor(new ConsoleOutput(), names);
            Log.StopEcho();
            while (true)
            {
                if (Proc.Processes.Started) Jobs.ReapAndNotify();
                Console.Write(Prompt());
                string line = ReadLine(editor);
                if (line != null) ExecuteLine(line);
            }
        }

        private static string Prompt() => "/ # ";

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

        public static void ExecuteLine(string line)
        {
            ParsedCommand parsed = CommandLine.Parse(line);
            if (parsed.Error != null)
            {
                Console.WriteLine(parsed.Error);
                s_lastStatus = 2;
                return;
            }
            if (parsed.Argc == 0) return;
            // No file system is mounted yet (the VFS comes with configfs): say so, run nothing.
            if (parsed.RedirectPath != null)
            {
                Console.WriteLine(string.Concat("sh: can't create ", parsed.RedirectPath, ": ", ErrnoText.Message(Errno.EROFS)));
                s_lastStatus = 1;
                return;
            }
            Proc.ProgramInfo program = Proc.Programs.Find(parsed.Argv[0]);
            if (program != null)
            {
                s_lastStatus = Jobs.Run(program, parsed.Argv, parsed.Argc, parsed.Background);
                return;
            }
            if (parsed.Background)
            {
                Console.WriteLine(string.Concat("sh: ", parsed.Argv[0], ": built-ins cannot run in the background"));
                s_lastStatus = 1;
                return;
            }
            s_lastStatus = Execute(parsed.Argv, parsed.Argc);
        }

        public static int Execute(string[] argv, int argc)
        {
            if (argc == 0) return 0;
            for (int i = 0; i < s_commands.Length; i++)
                if (s_commands[i].Name == argv[0]) return s_commands[i].Run(argv, argc);
            Proc.ProgramInfo program = Proc.Programs.Find(argv[0]);
            if (program != null) return Jobs.Run(program, argv, argc, false);
            Console.WriteLine(string.Concat("sh: ", argv[0], ": not found"));
            return 127;
        }
    }
}
