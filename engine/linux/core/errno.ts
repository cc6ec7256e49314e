/**
 * Linux/i386 error numbers (include/asm-i386/errno.h of Linux 2.0). System calls return them
 * negated, as the kernel does; the C library turns -e into -1 and errno = e.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EPIPE = 32;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
/** Network errors (Linux 2.0 include/asm-i386/errno.h). */
export const ENOTSOCK = 88;
export const EMSGSIZE = 90;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const ENOTCONN = 107;
export const ECONNREFUSED = 111;
/** Kernel-internal: a sleep was interrupted by a signal; becomes EINTR on the way to user mode. */
export const ERESTARTSYS = 512;

export const ERRNO_NAME: Readonly<Record<number, string>> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [ESRCH]: 'ESRCH', [EINTR]: 'EINTR', [EIO]: 'EIO', [E2BIG]: 'E2BIG',
  [ENOEXEC]: 'ENOEXEC', [EBADF]: 'EBADF', [ECHILD]: 'ECHILD', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM',
  [EACCES]: 'EACCES', [EFAULT]: 'EFAULT', [EEXIST]: 'EEXIST', [ENOTDIR]: 'ENOTDIR', [EISDIR]: 'EISDIR',
  [EINVAL]: 'EINVAL', [ENFILE]: 'ENFILE', [EMFILE]: 'EMFILE', [ENOTTY]: 'ENOTTY', [EFBIG]: 'EFBIG',
  [ENOSPC]: 'ENOSPC', [ESPIPE]: 'ESPIPE', [EROFS]: 'EROFS', [EPIPE]: 'EPIPE', [ERANGE]: 'ERANGE',
  [ENAMETOOLONG]: 'ENAMETOOLONG', [ENOSYS]: 'ENOSYS', [ENOTEMPTY]: 'ENOTEMPTY', [ENOTSOCK]: 'ENOTSOCK',
  [EMSGSIZE]: 'EMSGSIZE', [EAFNOSUPPORT]: 'EAFNOSUPPORT', [EADDRINUSE]: 'EADDRINUSE', [ENOTCONN]: 'ENOTCONN',
  [ECONNREFUSED]: 'ECONNREFUSED',
};

/** strerror() texts of libc 5 for the errors above. */
export const ERRNO_MESSAGE: Readonly<Record<number, string>> = {
  [EPERM]: 'Operation not permitted', [ENOENT]: 'No such file or directory', [ESRCH]: 'No such process',
  [EINTR]: 'Interrupted system call', [EIO]: 'I/O error', [E2BIG]: 'Arg list too long', [ENOEXEC]: 'Exec format error',
  [EBADF]: 'Bad file number', [ECHILD]: 'No child processes', [EAGAIN]: 'Try again', [ENOMEM]: 'Out of memory',
  [EACCES]: 'Permission denied', [EFAULT]: 'Bad address', [EEXIST]: 'File exists', [ENOTDIR]: 'Not a directory',
  [EISDIR]: 'Is a directory', [EINVAL]: 'Invalid argument', [ENFILE]: 'File table overflow', [EMFILE]: 'Too many open files',
  [ENOTTY]: 'Not a typewriter', [EFBIG]: 'File too large', [ENOSPC]: 'No space left on device', [ESPIPE]: 'Illegal seek',
  [EROFS]: 'Read-only file system', [EPIPE]: 'Broken pipe', [ERANGE]: 'Math result not representable',
  [ENAMETOOLONG]: 'File name too long', [ENOSYS]: 'Function not implemented', [ENOTEMPTY]: 'Directory not empty',
  [ENOTSOCK]: 'Socket operation on non-socket', [EMSGSIZE]: 'Message too long', [EAFNOSUPPORT]: 'Address family not supported by protocol',
  [EADDRINUSE]: 'Address already in use', [ENOTCONN]: 'Transport endpoint is not connected', [ECONNREFUSED]: 'Connection refused',
};
