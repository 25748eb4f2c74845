namespace ChatServer.Client.Components;

/// <summary>What a message row shows besides its item: decided by the page, which knows the reader and the edits.</summary>
/// <param name="IsOwn">Whether the reader wrote the message.</param>
/// <param name="Activity">What a pending row says is under way ("sending…" or "saving…").</param>
/// <param name="CanRetry">Whether a failed row offers Retry.</param>
/// <param name="DeletionHeld">Whether the reader deleted the message and may still undo it.</param>
/// <param name="Notice">A notice on the row, or <see langword="null"/>.</param>
/// <param name="NoticeText">The text the notice offers to edit again with, or <see langword="null"/>.</param>
public sealed record RowContext(bool IsOwn, string? Activity, bool CanRetry, bool DeletionHeld, string? Notice, string? NoticeText)
{
    /// <summary>A row of someone else's message with nothing under way.</summary>
    public static RowContext Plain { get; } = new(false, null, true, false, null, null);
}
