namespace ChatServer.Tests.Browser;

/// <summary>The browser test classes run one at a time: each test starts a server and boots the WebAssembly client,
/// and on a small machine several at once slow the page loads past their deadlines. Each class still has its own
/// Chromium (a class fixture), so the pages a class leaves open close with it.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
