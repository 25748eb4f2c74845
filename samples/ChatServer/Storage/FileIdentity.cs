using System.Runtime.InteropServices;

namespace ChatServer.Storage;

/// <summary>Which file a path names: its device and inode, read with <c>statx(2)</c>. Two reads of a path that give
/// different identities mean the file was replaced; a read that finds nothing means it was deleted. An open file
/// handle keeps the old file alive after either, so only the path tells.</summary>
/// <remarks>Linux only (<see cref="IsSupported"/>): elsewhere <see cref="Of"/> returns <see langword="null"/> and the
/// files are not watched. <c>struct statx</c> has one layout on every Linux architecture, unlike <c>struct stat</c>.</remarks>
internal readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint InodeMask = 0x100; // STATX_INO (the device is always returned)

    /// <summary>Gets a value indicating whether identities can be read on this system.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Reads the identity of the file at <paramref name="path"/>.</summary>
    /// <param name="path">A full path.</param>
    /// <returns>The identity; <see langword="null"/> if nothing is at the path, or identities are not supported here.</returns>
    public static FileIdentity? Of(string path)
    {
        if (!IsSupported || Statx(CurrentDirectory, path, 0, InodeMask, out var buffer) != 0)
        {
            return null;
        }
        return new FileIdentity(buffer.DeviceMajor, buffer.DeviceMinor, buffer.Inode);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    // struct statx (linux/stat.h): 256 bytes; only the fields read here are declared.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
