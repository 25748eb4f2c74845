using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: a foreign page logs the victim in under the attacker's name (a link or an image to
/// <c>http://mallory:@chat/auth</c> supplies the Basic header; a cross-site form posts to <c>/auth</c>), so that what the
/// victim then types is posted as the attacker; or logs the victim out. Login and logout are POST only, and a
/// cross-site browser request is refused.</summary>
public sealed class LoginCsrfTests
{
    private const string Foreign = "http://evil.example";

    [Fact]
    public async Task LoginByGet_WithBasicCredentials_DoesNotSignIn()
    {
        await using var host = await ChatHost.StartAsync();
        await using var victim = TestUser.Anonymous(host);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth?returnUrl=%2F");
        request.Headers.Authorization = Basic("mallory");

        using var response = await victim.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await response.Content.ReadFromJsonAsync(ChatJsonContext.Default.AuthResult))!.Error.Should().Contain("POST");
        response.Headers.Contains("Set-Cookie").Should().BeFalse("a navigation never signs in");
        (await MeAsync(victim)).Should().BeNull();
    }

    [Theory]
    [InlineData(Foreign, "cross-site")]
    [InlineData(Foreign, null)]
    [InlineData("null", "cross-site")]
    [InlineData(null, "cross-site")]
    [InlineData(null, "same-site")]
    public async Task CrossSiteLoginPost_Is403WithAClearMessage(string? origin, string? fetchSite)
    {
        await using var host = await ChatHost.StartAsync();
        await using var victim = TestUser.Anonymous(host);

        using var response = await victim.Http.SendAsync(Browser(TestUser.BasicLogin("mallory", string.Empty), origin, fetchSite));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync(ChatJsonContext.Default.AuthResult))!.Error.Should().Contain("cross-site");
        response.Headers.Contains("Set-Cookie").Should().BeFalse();
        (await MeAsync(victim)).Should().BeNull();
    }

    [Theory]
    [InlineData("same", "same-origin")]
    [InlineData(ChatHost.TestOrigin, "cross-site")]
    [InlineData(null, "same-origin")]
    [InlineData(null, null)]
    public async Task LoginPost_FromTheSameOriginAnAllowedOneOrANonBrowserClient_SignsIn(string? origin, string? fetchSite)
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        origin = origin == "same" ? host.Address.GetLeftPart(UriPartial.Authority) : origin;

        using var response = await visitor.Http.SendAsync(Browser(TestUser.BasicLogin("dora", string.Empty), origin, fetchSite));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await MeAsync(visitor)).Should().Be("dora");
    }

    [Fact]
    public async Task LogoutByGet_DoesNotSignOut()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");

        using var response = await alice.Http.GetAsync("/auth/logout");

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await MeAsync(alice)).Should().Be("alice");
    }

    [Fact]
    public async Task CrossSiteLogoutPost_Is403AndTheSessionStays()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");

        using var response = await alice.Http.SendAsync(Browser(new HttpRequestMessage(HttpMethod.Post, "/auth/logout"), Foreign, "cross-site"));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MeAsync(alice)).Should().Be("alice");
    }

    private static HttpRequestMessage Browser(HttpRequestMessage request, string? origin, string? fetchSite)
    {
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        return request;
    }

    private static AuthenticationHeaderValue Basic(string name) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name + ":")));

    private static async Task<string?> MeAsync(TestUser user) =>
        (await user.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult))!.User;
}
