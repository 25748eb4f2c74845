using Reactive.Edits.Remote;

namespace Reactive.Edits.Testing;

/// <summary>Describes one edit envelope as a <see cref="ScriptedEditServer{TCommand}"/> received it, for its script to decide the response.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <param name="Request">The envelope.</param>
/// <param name="DeliveryCount">How many times this edit id has been received so far, this delivery included (1 for the first).</param>
/// <param name="Time">When it was received, on the server's scheduler clock.</param>
public readonly record struct ScriptedDelivery<TCommand>(EditRequest<TCommand> Request, int DeliveryCount, DateTimeOffset Time);
