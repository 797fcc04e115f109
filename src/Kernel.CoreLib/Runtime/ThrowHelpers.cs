// What ILC calls when generated code detects an error (bounds, null, overflow, bad cast). This
// kernel has no unwinder, so each of them is a kernel bug and ends in a panic with its reason.
using System.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    public static class ThrowHelpers
    {
        // Implemented by the kernel (it owns the consoles and the panic screen).
        [RuntimeImport("*", "kernel_runtime_panic")]
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        public static extern void Panic(string reason);

        public static void ThrowOverflowException() => Panic("arithmetic overflow");
        public static void ThrowIndexOutOfRangeException() => Panic("index out of range");
        public static void ThrowNullReferenceException() => Panic("null reference");
        public static void ThrowDivideByZeroException() => Panic("divide by zero");
        public static void ThrowArgumentOutOfRangeException() => Panic("argument out of range");
        public static void ThrowArgumentException() => Panic("bad argument");
        public static void ThrowPlatformNotSupportedException() => Panic("platform not supported");
        public static void ThrowNotImplementedException() => Panic("not implemented");
        public static void ThrowInvalidCastException() => Panic("invalid cast");
        public static void ThrowArrayTypeMismatchException() => Panic("array type mismatch");
        public static void ThrowTypeLoadException() => Panic("type load");
        public static void ThrowTypeLoadExceptionWithArgument() => Panic("type load");
        public static void ThrowMissingMethodException() => Panic("missing method");
        public static void ThrowMissingFieldException() => Panic("missing field");
        public static void ThrowFileNotFoundException() => Panic("file not found");
        public static void ThrowInvalidProgramException() => Panic("invalid program");
        public static void ThrowInvalidProgramExceptionWithArgument() => Panic("invalid program");
        public static void ThrowMarshalDirectiveException() => Panic("marshal directive");
        public static void ThrowAmbiguousMatchException() => Panic("ambiguous match");
        public static void ThrowBadImageFormatException() => Panic("bad image format");
        public static void ThrowFeatureBodyRemoved() => Panic("feature body removed");

        [RuntimeExport("RhpThrowEx")]
        private static void ThrowEx(object exception) => Panic("exception thrown (no unwinder in this kernel)");

        [RuntimeExport("RhpRethrow")]
        private static void Rethrow() => Panic("exception rethrown (no unwinder in this kernel)");

        [RuntimeExport("RhpFallbackFailFast")]
        private static void FallbackFailFast() => Panic("runtime fail-fast");
    }
}

namespace System.Runtime.InteropServices
{
    // The scanner binds these when an interface has a dynamic-castable fallback; we have none.
    public interface IDynamicInterfaceCastable
    {
        static unsafe nint GetDynamicInterfaceImplementation(object instance, Internal.Runtime.MethodTable* interfaceType, ushort slot)
        {
            Internal.Runtime.CompilerHelpers.ThrowHelpers.Panic("IDynamicInterfaceCastable is not supported");
            return 0;
        }
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    // ldtoken: ILC passes the address of the type or of the handle's signature blob.
    internal static class LdTokenHelpers
    {
        private static System.RuntimeTypeHandle GetRuntimeTypeHandle(nint type) => new System.RuntimeTypeHandle(type);
        private static System.RuntimeMethodHandle GetRuntimeMethodHandle(nint signature) => new System.RuntimeMethodHandle(signature);
        private static System.RuntimeFieldHandle GetRuntimeFieldHandle(nint signature) => new System.RuntimeFieldHandle(signature);
    }
}
