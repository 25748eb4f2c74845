using System.Net;
using System.Net.Http.Headers;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: a <c>returnUrl</c> that the redirect after login cannot carry (a control or non-ASCII character),
/// which made the login answer 500 with the developer exception page, or one that leads to another site.</summary>
public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("%2F%01")]
    [InlineData("%2Fchat%0D%0ASet-Cookie:%20x=y")]
    [InlineData("%2Fcaf%C3%A9")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("%2F%5Cevil.example")]
    [InlineData("https%3A%2F%2Fevil.example")]
    public async Task LoginWithABadReturnUrl_RedirectsToTheRoot(string returnUrl)
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/auth?returnUrl={returnUrl}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("dora:"u8.ToArray()));

        using var response = await visitor.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/");
        host.Logs.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task LoginWithALocalReturnUrl_RedirectsThere()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth?returnUrl=%2Froom%3Fx%3D1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("dora:"u8.ToArray()));

        using var response = await visitor.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/room?x=1");
    }
}
