namespace ChatServer.Tests.Browser;

/// <summary>A test run leaves the working tree clean: the documentation's screenshot is only rewritten when asked for.</summary>
public sealed class DocumentationScreenshotTests
{
    private const string Root = "/repo";
    private const string Temporary = "/tmp";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("true")]
    public void PathFor_NotAskedToUpdate_IsOutsideTheRepository(string? update)
    {
        var path = DocumentationScreenshot.PathFor("chat-two-tabs.png", update, Root, Temporary);

        path.Should().StartWith(Temporary + "/").And.EndWith("chat-two-tabs.png");
        path.Should().NotStartWith(Root);
    }

    [Fact]
    public void PathFor_AskedToUpdate_IsTheDocumentationImage()
    {
        var path = DocumentationScreenshot.PathFor("chat-two-tabs.png", "1", Root, Temporary);

        path.Should().Be("/repo/docs/images/chat-two-tabs.png");
    }
}
