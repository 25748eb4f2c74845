using System.Reactive;
using System.Reactive.Subjects;
using System.Security.Claims;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Faults;
using ChatServer.Tests.Support;
using FluentAssertions;
using Microsoft.AspNetCore.Authentication;

namespace ChatServer.Tests.Integration;

/// <summary>The socket's upgrade is authenticated as any request is (the default scheme, with the application's claims
/// transformation), and what authenticating it needs is released once the socket is admitted: the socket's request
/// lasts as long as the socket, so anything left in it is kept for every open connection.</summary>
public sealed class SocketAuthenticationTests
{
    [Fact]
    public async Task SignedInSocket_ItsAuthenticationScope_IsDisposedOnceAdmitted_NotWhenTheSocketCloses()
    {
        var probe = new ScopeProbe();
        await using var host = await ChatHost.StartAsync(services: services =>
        {
            services.AddSingleton(probe);
            services.AddScoped<IClaimsTransformation, ProbedTransformation>();
        });
        await using var alice = await TestUser.LoginAsync(host, "alice");
        // The login's request ends (and its scope is disposed) just after its answer reaches the client.
        await Eventually.HoldsAsync(() => probe.Disposed == probe.Created, "the login's scope is disposed", probe.Changed);
        var loginScopes = probe.Created;

        var socket = await alice.ConnectRawAsync();
        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        ((string?)welcome["payload"]!["user"]).Should().Be("alice", "the socket is authenticated by the session cookie");
        probe.Created.Should().BeGreaterThan(loginScopes, "the upgrade runs the application's claims transformation");
        probe.Disposed.Should().Be(probe.Created, "every scope that authenticated a request is disposed, the open socket's included");
    }

    [Fact]
    public async Task ClaimsTransformation_AppliesToTheSocket_AsToAnyRequest()
    {
        await using var host = await ChatHost.StartAsync(services: services => services.AddScoped<IClaimsTransformation, Renaming>());
        await using var alice = await TestUser.LoginAsync(host, "alice");

        var socket = await alice.ConnectRawAsync();
        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        ((string?)welcome["payload"]!["user"]).Should().Be("alice-transformed");
    }

    private sealed class ScopeProbe
    {
        private readonly Subject<Unit> _changed = new();
        private int _created;
        private int _disposed;

        public IObservable<Unit> Changed => _changed;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public void OnCreated()
        {
            Interlocked.Increment(ref _created);
            _changed.OnNext(Unit.Default);
        }

        public void OnDisposed()
        {
            Interlocked.Increment(ref _disposed);
            _changed.OnNext(Unit.Default);
        }
    }

    // Made once per service scope that authenticates a request, and disposed with that scope.
    private sealed class ProbedTransformation : IClaimsTransformation, IDisposable
    {
        private readonly ScopeProbe _probe;

        public ProbedTransformation(ScopeProbe probe)
        {
            _probe = probe;
            probe.OnCreated();
        }

        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal) => Task.FromResult(principal);

        public void Dispose() => _probe.OnDisposed();
    }

    // Renames the signed-in user, as an application's transformation may map an external identity to its own name.
    private sealed class Renaming : IClaimsTransformation
    {
        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
        {
            if (principal.Identity is ClaimsIdentity { Name: { } name } identity && !name.EndsWith("-transformed", StringComparison.Ordinal))
            {
                identity.RemoveClaim(identity.FindFirst(identity.NameClaimType));
                identity.AddClaim(new Claim(identity.NameClaimType, name + "-transformed"));
            }

            return Task.FromResult(principal);
        }
    }
}
