namespace Reactive.Edits;

/// <summary>Applies the outcome of a spent token; implemented by the edit set that issued it.</summary>
internal interface IEditTokenOwner
{
    /// <summary>Applies the outcome; called once per token, after the token's own first-spend check succeeded.</summary>
    bool Settle(EditToken token, EditStatus outcome, Exception? error);
}
