// The root of the type system as ILC lays it out: every object starts with a MethodTable pointer.
// This core library is what the kernel's C# compiles against instead of the BCL; it holds only what
// ILC and the C# compiler demand by name, plus what kernel code needs. Nothing here may throw on a
// normal path: there is no unwinder, so a throw is a panic (see Runtime/ThrowHelpers.cs).
using Internal.Runtime;

namespace System
{
    public unsafe class Object
    {
        // Invariant: set by the allocator before the object is visible; never changed afterwards.
        internal MethodTable* m_pMethodTable;

        public Object() { }

        ~Object() { }

        public virtual bool Equals(object obj) => (object)this == obj;

        // The heap does not move objects, so the address is a stable identity hash.
        public virtual int GetHashCode()
        {
            object self = this;
            nuint address = *(nuint*)&self;
            return (int)(address >> 3) ^ (int)(address >> 35);
        }

        public virtual string ToString() => "object";

        public MethodTable* GetMethodTable() => m_pMethodTable;
    }

    public abstract class ValueType { }

    public abstract class Enum : ValueType { }

    public struct Void { }

    public sealed class Exception
    {
        private string _message;
        public Exception() { }
        public Exception(string message) { _message = message; }
        public string Message => _message;
    }

    public interface IDisposable { void Dispose(); }

    public struct RuntimeTypeHandle { private IntPtr _value; internal RuntimeTypeHandle(IntPtr value) { _value = value; } }
    public struct RuntimeMethodHandle { private IntPtr _value; internal RuntimeMethodHandle(IntPtr value) { _value = value; } }
    public struct RuntimeFieldHandle { private IntPtr _value; internal RuntimeFieldHandle(IntPtr value) { _value = value; } }

    public abstract class Type { }
    internal sealed class RuntimeType : Type { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;
        public Nullable(T value) { this.value = value; hasValue = true; }
        public bool HasValue => hasValue;
        public T Value => value;
        public T GetValueOrDefault() => value;
        public static implicit operator Nullable<T>(T value) => new Nullable<T>(value);
        public static explicit operator T(Nullable<T> value) => value.value;
    }
}
