// PID 1's shell (temporary reader until the line editor lands).
using Kernel.Drivers;

namespace Kernel.Commands
{
    internal static unsafe class Shell
    {
        public static void Run()
        {
            Log.StopEcho();
            char[] line = new char[1024];
            while (true)
            {
                Console.Write("/ # ");
                int n = 0;
                while (true)
                {
                    byte b = InputQueue.Get();
                    if (b == '\r' || b == '\n') break;
                    if (n < line.Length) { line[n++] = (char)b; Console.Write(b); }
                }
                Console.Write("\n");
                string text = new string(line, 0, n);
                if (text == "pf") { *(int*)0xFFFFC00000000000 = 1; }
                else if (text == "df") Kernel.Arch.Native.TriggerDoubleFault();
                else if (text == "poweroff") Acpi.PowerOff();
                else { Console.Write("sh: "); Console.Write(text); Console.WriteLine(": not found"); }
            }
        }
    }
}
