namespace Reactive.Edits.Remote.Tests;

/// <summary>Passes everything to an inner stream and records when it is disposed: a WebSocket made over it disposes it
/// when the socket is disposed, which drops whatever the transport has not sent yet.</summary>
/// <param name="inner">The stream.</param>
/// <param name="throwOnDispose">Throws <see cref="ObjectDisposedException"/> from its dispose, as ASP.NET Core's WebSocket stream does once the request has ended.</param>
internal sealed class DisposalRecordingStream(Stream inner, bool throwOnDispose = false) : Stream
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDisposed => _disposed.Task.IsCompleted;

    /// <summary>Gets a task that completes when the stream is disposed, on whichever thread disposes it.</summary>
    public Task Disposed => _disposed.Task;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _disposed.TrySetResult())
        {
            inner.Dispose();
            if (throwOnDispose)
            {
                throw new ObjectDisposedException("IFeatureCollection");
            }
        }

        base.Dispose(disposing);
    }
}
