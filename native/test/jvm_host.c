/*
 * jvm_host.c: a CPython process that hosts a JVM, as JPype's does: it
 * initializes the interpreter, leaves its main thread detached, creates a
 * JVM in the same process with JNI_CreateJavaVM and runs a Java main class
 * there, which binds cpylock to this interpreter (-Dcpylock.library=process).
 * The embedding tests compile it against a real libpython and the JDK's
 * libjvm (see HostedTest).
 *
 *   jvm_host CLASS_PATH MAIN_CLASS [JVM_OPTION ...]
 *
 * Exits with the Java program's status: 0 when its main returns, 1 if it
 * throws, or what it passes to System.exit.
 */
#include <Python.h>
#include <jni.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CLASS_PATH MAIN_CLASS [JVM_OPTION ...]\n", argv[0]);
        return 64;
    }
    Py_InitializeEx(0);
    PyThreadState *main_thread = PyEval_SaveThread();

    int extra = argc - 3;
    JavaVMOption *options = calloc((size_t)extra + 3, sizeof(JavaVMOption));
    size_t class_path_size = strlen(argv[1]) + sizeof("-Djava.class.path=");
    char *class_path = malloc(class_path_size);
    snprintf(class_path, class_path_size, "-Djava.class.path=%s", argv[1]);
    options[0].optionString = class_path;
    options[1].optionString = "-Dcpylock.library=process";
    options[2].optionString = "--enable-native-access=ALL-UNNAMED";
    for (int i = 0; i < extra; i++) {
        options[3 + i].optionString = argv[3 + i];
    }
    JavaVMInitArgs args = {.version = JNI_VERSION_10, .nOptions = extra + 3, .options = options,
                           .ignoreUnrecognized = JNI_FALSE};
    JavaVM *jvm;
    JNIEnv *env;
    if (JNI_CreateJavaVM(&jvm, (void **)&env, &args) != JNI_OK) {
        fprintf(stderr, "jvm_host: JNI_CreateJavaVM failed\n");
        return 2;
    }

    char *name = strdup(argv[2]);
    for (char *c = name; *c; c++) {
        if (*c == '.') {
            *c = '/';
        }
    }
    int status = 1;
    jclass main_class = (*env)->FindClass(env, name);
    jmethodID main_method = main_class == NULL ? NULL
        : (*env)->GetStaticMethodID(env, main_class, "main", "([Ljava/lang/String;)V");
    if (main_method != NULL) {
        jobjectArray java_args = (*env)->NewObjectArray(env, 0, (*env)->FindClass(env, "java/lang/String"), NULL);
        (*env)->CallStaticVoidMethod(env, main_class, main_method, java_args);
        status = (*env)->ExceptionCheck(env) ? 1 : 0;
    }
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionDescribe(env);
    }
    (*jvm)->DestroyJavaVM(jvm);
    PyEval_RestoreThread(main_thread);
    printf("jvm_host: the Java program returned %d\n", status);
    fflush(stdout);
    return status;
}
