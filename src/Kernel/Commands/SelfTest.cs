// `selftest`: exercises the runtime contracts this kernel implements for ILC-generated code —
// interface dispatch (plain, inherited, overridden, sealed, through the cache), casts, arrays of
// references, delegates and closures, statics, string building — and prints `selftest: ok` or
// the first check that failed. The QEMU tests run it, so a compiler upgrade that changes a
// contract shows up as a failing test rather than as a mysterious crash. A run leaves no state
// behind (what it writes to a static it restores), so every run checks the same things.
using System.Runtime.CompilerServices;
using Kernel.Drivers;

namespace Kernel.Commands
{
    internal interface IShape { int Corners(); int Scaled(int k); }
    internal interface INamed { string Name(); }

    internal class Triangle : IShape
    {
        [MethodImpl(MethodImplOptions.NoInlining)] public virtual int Corners() => 3;
        public int Scaled(int k) => 3 * k;
    }

    internal class Square : IShape, INamed
    {
        [MethodImpl(MethodImplOptions.NoInlining)] public int Corners() => 4;
        public int Scaled(int k) => 4 * k;
        public string Name() => "square";
    }

    internal class OddTriangle : Triangle, INamed
    {
        [MethodImpl(MethodImplOptions.NoInlining)] public override int Corners() => 33;
        public string Name() => "odd";
    }

    internal sealed class Hexagon : IShape
    {
        public int Corners() => 6;
        public int Scaled(int k) => 6 * k;
    }

    internal static class SelfTest
    {
        private static readonly string s_greeting = "hello";
        private static int s_counter = 7;
        private static string s_failure;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IShape Make(int i) => i == 0 ? new Triangle() : i == 1 ? new Square() : i == 2 ? new OddTriangle() : (IShape)new Hexagon();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int ReadCounter() => s_counter;

        private static void Check(bool condition, string what)
        {
            if (!condition && s_failure == null) s_failure = what;
        }

        public static int Run(string[] argv, int argc)
        {
            s_failure = null;
            int[] corners = { 3, 4, 33, 6 };
            for (int round = 0; round < 2; round++)
                for (int i = 0; i < 4; i++)
                {
                    IShape shape = Make(i);
                    Check(shape.Corners() == corners[i], "interface dispatch");
                    Check(shape.Scaled(2) == (i == 2 ? 6 : 2 * corners[i]), "interface dispatch (inherited)");
                    INamed named = shape as INamed;
                    Check((named != null) == (i == 1 || i == 2), "interface cast");
                    if (named != null) Check(named.Name() == (i == 1 ? "square" : "odd"), "second interface");
                    Check((shape is Triangle) == (i == 0 || i == 2), "class cast");
                }

            object[] objects = new object[3];
            objects[0] = "text";
            objects[1] = new Square();
            Check(objects[0] is string && objects[1] is IShape && objects[2] == null, "object array");

            int captured = 5;
            CommandHandler add = (a, n) => n + captured;
            Check(add(null, 2) == 7, "closure");

            // The initial values are checked as they are, and the write is undone, so every run
            // sees the same state (a counter left incremented failed every run after the first).
            Check(s_greeting.Length == 5 && s_counter == 7, "statics");
            s_counter++;
            Check(ReadCounter() == 8, "static write");
            s_counter--;
            Check(string.Concat("a", 12.ToString(), "b") == "a12b" && (-45).ToString() == "-45", "strings");

            if (s_failure != null)
            {
                Console.WriteLine(string.Concat("selftest: FAILED: ", s_failure));
                return 1;
            }
            Console.WriteLine("selftest: ok");
            return 0;
        }
    }
}
