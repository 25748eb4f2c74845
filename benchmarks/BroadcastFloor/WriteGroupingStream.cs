using System.Buffers;

namespace BroadcastFloor;

/// <summary>The upgraded connection's stream, which can hold writes: between <see cref="BeginGroupAsync"/> and
/// <see cref="EndGroupAsync"/> every write lands in a buffer, and the end writes the buffer to the connection at once
/// (one flush for the group). Outside a group every write goes straight through, as it would without this stream.</summary>
public sealed class WriteGroupingStream(Stream inner) : Stream
{
    // Writes come from the WebSocket (one at a time, under its own send lock), group ends from the send loop: one gate
    // keeps the buffer and the connection's stream to one writer.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private bool _grouping;

    public async Task BeginGroupAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        _grouping = true;
        _gate.Release();
    }

    public async Task EndGroupAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _grouping = false;
            if (_buffer.WrittenCount > 0)
            {
                await inner.WriteAsync(_buffer.WrittenMemory).ConfigureAwait(false);
                await inner.FlushAsync().ConfigureAwait(false);
                _buffer.Clear();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_grouping)
            {
                _buffer.Write(buffer.Span);
            }
            else
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Inside a group the flush waits for the group's end.
            if (!_grouping)
            {
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _gate.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
