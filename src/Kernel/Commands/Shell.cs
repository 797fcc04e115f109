// PID 1's shell: reads lines through the line editor (Shell/LineEditor.cs), splits them with the
// quoting parser (Shell/CommandLine.cs) and runs built-ins. It never exits. Nothing typed here
// may panic the kernel (panic-test excepted): every error is a message and an exit status.
using Kernel.Abi;
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Shell;
using Kernel.Vfs;

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
                if (line != null) ExecuteLine(line);
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

        public static void ExecuteLine(string line)
        {
            ParsedCommand parsed = CommandLine.Parse(line);
            if (parsed.Error != null)
            {
                Console.WriteLine(parsed.Error);
                s_lastStatus = 2;
                return;
            }
            if (parsed.Argc == 0 && parsed.RedirectPath == null) return;
            FileOutput output = null;
            if (parsed.RedirectPath != null)
            {
                // > truncates or creates, >> appends; the command's output reaches the file in one
                // write at the end (or per 4 KiB), so a configfs attribute gets one store.
                OpenFlags flags = OpenFlags.Write | OpenFlags.Create | (parsed.Append ? OpenFlags.Append : OpenFlags.Truncate);
                Errno e = Sys.Files.Open(parsed.RedirectPath, flags, out OpenFile file);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("sh: can't create ", parsed.RedirectPath, ": ", ErrnoText.Message(e)));
                    s_lastStatus = 1;
                    return;
                }
                output = new FileOutput(file, Sys.Irq);
            }
            s_lastStatus = Dispatch(parsed, output);
            if (output != null)
            {
                Errno e = output.Release();
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("sh: write error: ", ErrnoText.Message(e)));
                    s_lastStatus = 1;
                }
            }
        }

        private static int Dispatch(ParsedCommand parsed, FileOutput output)
        {
            if (parsed.Argc == 0) return 0;
            Proc.ProgramInfo program = Proc.Programs.Find(parsed.Argv[0]);
            if (program != null) return Jobs.Run(program, parsed.Argv, parsed.Argc, parsed.Background, output);
            Command command = Find(parsed.Argv[0]);
            if (command != null && command.Process) return Jobs.RunCommand(command, parsed.Argv, parsed.Argc, parsed.Background, output);
            if (parsed.Background)
            {
                Console.Error(string.Concat("sh: ", parsed.Argv[0], ": built-ins cannot run in the background"));
                return 1;
            }
            // Without a redirection of its own, a line keeps the shell's (a script run with sh > f).
            Proc.Process self = Sys.Processes.Init;
            FileOutput saved = self.Stdout;
            if (output != null) self.Stdout = output;
            int status = Execute(parsed.Argv, parsed.Argc);
            self.Stdout = saved;
            return status;
        }

        private static Command Find(string name)
        {
            for (int i = 0; i < s_commands.Length; i++)
                if (s_commands[i].Name == name) return s_commands[i];
            return null;
        }

        public static int Execute(string[] argv, int argc)
        {
            if (argc == 0) return 0;
            Command command = Find(argv[0]);
            if (command != null) return command.Process ? Jobs.RunCommand(command, argv, argc, false) : command.Run(argv, argc);
            Proc.ProgramInfo program = Proc.Programs.Find(argv[0]);
            if (program != null) return Jobs.Run(program, argv, argc, false);
            Console.Error(string.Concat("sh: ", argv[0], ": not found"));
            return 127;
        }
    }
}
