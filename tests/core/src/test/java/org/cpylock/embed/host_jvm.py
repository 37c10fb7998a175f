"""host_jvm.py: a CPython process that hosts a JVM, as JPype does: through
ctypes, it loads libjvm, creates a JVM in this process with
JNI_CreateJavaVM (with the JVM options given: -Dcpylock.library=process
binds cpylock to this interpreter), and runs a Java main class there.

    python host_jvm.py LIBJVM CLASS_PATH MAIN_CLASS [JVM_OPTION ...] [-- ARG ...]

Exits with 0 when main returns, 1 if it throws; a System.exit in main ends
the process with its status. ctypes releases the GIL around each foreign
call, so Java threads run Python code (CPython.run) while main runs.
"""
import ctypes
import sys

JNI_VERSION_10 = 0x000A0000
# Slots of JNINativeInterface_ (jni.h).
FIND_CLASS, EXCEPTION_OCCURRED, EXCEPTION_DESCRIBE = 6, 15, 16
GET_STATIC_METHOD_ID, CALL_STATIC_VOID_METHOD_A = 113, 143
NEW_STRING_UTF, NEW_OBJECT_ARRAY, SET_OBJECT_ARRAY_ELEMENT = 167, 172, 174


class JavaVMOption(ctypes.Structure):
    _fields_ = [("optionString", ctypes.c_char_p), ("extraInfo", ctypes.c_void_p)]


class JavaVMInitArgs(ctypes.Structure):
    _fields_ = [("version", ctypes.c_int), ("nOptions", ctypes.c_int),
                ("options", ctypes.POINTER(JavaVMOption)), ("ignoreUnrecognized", ctypes.c_ubyte)]


def jni(env, slot, restype, *argtypes):
    """The JNIEnv function in `slot`, callable with `env` first."""
    table = ctypes.cast(env, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p))).contents
    return ctypes.CFUNCTYPE(restype, ctypes.c_void_p, *argtypes)(table[slot])


def main():
    libjvm, class_path, main_class = sys.argv[1:4]
    rest = sys.argv[4:]
    jvm_options = rest[:rest.index("--")] if "--" in rest else rest
    java_args = rest[rest.index("--") + 1:] if "--" in rest else []
    options = ["-Djava.class.path=" + class_path, "--enable-native-access=ALL-UNNAMED"] + jvm_options
    array = (JavaVMOption * len(options))(*[JavaVMOption(o.encode(), None) for o in options])
    init = JavaVMInitArgs(JNI_VERSION_10, len(options), array, 0)
    vm, env = ctypes.c_void_p(), ctypes.c_void_p()
    create = ctypes.CDLL(libjvm).JNI_CreateJavaVM
    if create(ctypes.byref(vm), ctypes.byref(env), ctypes.byref(init)) != 0:
        print("host_jvm: JNI_CreateJavaVM failed", file=sys.stderr)
        return 2

    c_char_p, c_void_p, c_int = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int
    cls = jni(env, FIND_CLASS, c_void_p, c_char_p)(env, main_class.replace(".", "/").encode())
    string_class = jni(env, FIND_CLASS, c_void_p, c_char_p)(env, b"java/lang/String")
    method = cls and jni(env, GET_STATIC_METHOD_ID, c_void_p, c_void_p, c_char_p, c_char_p)(
        env, cls, b"main", b"([Ljava/lang/String;)V")
    if not method:
        jni(env, EXCEPTION_DESCRIBE, None)(env)
        return 1
    args = jni(env, NEW_OBJECT_ARRAY, c_void_p, c_int, c_void_p, c_void_p)(env, len(java_args), string_class, None)
    for i, arg in enumerate(java_args):
        text = jni(env, NEW_STRING_UTF, c_void_p, c_char_p)(env, arg.encode())
        jni(env, SET_OBJECT_ARRAY_ELEMENT, None, c_void_p, c_int, c_void_p)(env, args, i, text)
    jni(env, CALL_STATIC_VOID_METHOD_A, None, c_void_p, c_void_p, ctypes.POINTER(c_void_p))(
        env, cls, method, ctypes.pointer(c_void_p(args)))
    if jni(env, EXCEPTION_OCCURRED, c_void_p)(env):
        jni(env, EXCEPTION_DESCRIBE, None)(env)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
