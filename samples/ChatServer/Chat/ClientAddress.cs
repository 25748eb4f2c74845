using System.Net;

namespace ChatServer.Chat;

/// <summary>The address a client is counted by in the per-address limits: an IPv4 client reaching a dual-stack socket
/// (::ffff:a.b.c.d) counts as a.b.c.d, so that it has one budget however it connects.</summary>
internal static class ClientAddress
{
    /// <summary>Gets the client address of a connection's remote end point; <see langword="null"/> without an IP address (a Unix socket).</summary>
    public static IPAddress? Of(EndPoint? endPoint) => endPoint is IPEndPoint ip ? Of(ip.Address) : null;

    /// <summary>Gets the client address of a request's <c>RemoteIpAddress</c>.</summary>
    public static IPAddress? Of(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
