using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ChatServer.LoadTest;

/// <summary>One thread that waits on Linux's epoll for every lean reader's socket and calls it when bytes arrived. A
/// broadcast reaches a thousand sockets within a few milliseconds, so one <c>epoll_wait</c> returns many of them and
/// each costs one <c>recv</c>: no task, no thread-pool hop and no async state machine per frame. With
/// ClientWebSocket's receive loops the generator's own core was the limit at 50 msg/s to 1,000 clients.</summary>
public sealed partial class ReadinessLoop
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const uint EpollRdHup = 0x2000;
    private const int Interrupted = 4; // EINTR: the runtime's own signals (a GC's suspension) interrupt the wait
    private const int MaxEvents = 1024;

    // struct epoll_event is packed on x86-64 (12 bytes: u32 events, u64 data) and naturally aligned elsewhere (16).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
    private static readonly Lazy<ReadinessLoop> Shared = new(() => new ReadinessLoop());

    private readonly int _epoll;
    private readonly object _slotsGate = new();
    private readonly Stack<int> _freeSlots = new();
    private volatile IReadinessHandler?[] _slots = new IReadinessHandler?[1024];
    private int _nextSlot;

    private ReadinessLoop()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The load generator's lean readers wait on epoll: run it on Linux.");
        }
        _epoll = EpollCreate1(0);
        if (_epoll < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
        }
        new Thread(Run) { IsBackground = true, Name = "Lean readers (epoll)" }.Start();
    }

    /// <summary>Gets the process's one loop, started on first use.</summary>
    public static ReadinessLoop Instance => Shared.Value;

    /// <summary>Watches <paramref name="fileDescriptor"/> and calls <paramref name="handler"/> on the loop's thread
    /// each time it is readable (level-triggered: bytes left unread are reported again).</summary>
    /// <returns>The registration, for <see cref="Remove"/>.</returns>
    public int Add(int fileDescriptor, IReadinessHandler handler)
    {
        int slot;
        lock (_slotsGate)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _nextSlot++;
                if (slot == _slots.Length)
                {
                    var grown = new IReadinessHandler?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    _slots = grown;
                }
            }
            _slots[slot] = handler;
        }
        var control = new byte[EventSize];
        BinaryPrimitives.WriteUInt32LittleEndian(control, EpollIn | EpollRdHup);
        BinaryPrimitives.WriteUInt64LittleEndian(control.AsSpan(DataOffset), (ulong)slot);
        if (EpollCtl(_epoll, EpollCtlAdd, fileDescriptor, control) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Release(slot);
            throw new Win32Exception(error, "epoll_ctl(ADD) failed");
        }
        return slot;
    }

    /// <summary>Stops watching; the handler is not called after this returns, except by a call already under way.</summary>
    public void Remove(int registration, int fileDescriptor)
    {
        // A closed descriptor has already left the set; the slot is what matters.
        _ = EpollCtl(_epoll, EpollCtlDel, fileDescriptor, new byte[EventSize]);
        Release(registration);
    }

    private void Release(int slot)
    {
        lock (_slotsGate)
        {
            _slots[slot] = null;
            _freeSlots.Push(slot);
        }
    }

    private void Run()
    {
        var events = new byte[MaxEvents * EventSize];
        while (true)
        {
            var ready = EpollWait(_epoll, events, MaxEvents, -1);
            if (ready < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == Interrupted)
                {
                    continue;
                }
                Environment.FailFast($"epoll_wait failed: {new Win32Exception(error).Message}");
            }
            var slots = _slots;
            for (var i = 0; i < ready; i++)
            {
                var entry = events.AsSpan(i * EventSize, EventSize);
                var slot = (int)BinaryPrimitives.ReadUInt64LittleEndian(entry[DataOffset..]);
                var handler = slot < slots.Length ? slots[slot] : null;
                // An error or hang-up is reported as readable too: the handler's recv then returns 0 or fails.
                handler?.OnReadable();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fileDescriptor, byte[] control);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, byte[] events, int maxEvents, int timeoutMilliseconds);
}
