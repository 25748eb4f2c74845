namespace ChatServer.Tests.Browser;

/// <summary>The browser tests share one Chromium and run one at a time: each starts a server and loads the
/// WebAssembly client, and on a small machine several at once slow the page loads past their deadlines.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
