using BroadcastFloor;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

// The load test's floor: WebSockets on Kestrel that broadcast every received text frame, as received, to every socket
// (one byte array shared by all of them), and ack its sender. No storage, no presence, no JSON beyond reading the id
// to ack. What the chat and SignalR cost above this is what they do besides moving frames.
var builder = WebApplication.CreateBuilder(args);
builder.Services.Configure<FloorOptions>(builder.Configuration.GetSection("Floor"));
builder.Services.AddSingleton<FloorRoom>();
builder.Services.AddOptions<SocketTransportOptions>()
    .Configure<IOptions<FloorOptions>>(static (transport, floor) => transport.UnsafePreferInlineScheduling = floor.Value.InlineSocketScheduling);

var app = builder.Build();
var coalesce = app.Services.GetRequiredService<IOptions<FloorOptions>>().Value.CoalesceWrites;
if (coalesce)
{
    // Before UseWebSockets, so that the socket it accepts writes through a stream that can hold frames for one flush.
    app.Use(WriteGroupingUpgrade.Install);
}
// No server keep-alive pings: the send loop is then the socket's only writer besides its close (see WriteGroupingStream).
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
app.MapGet("/health", () => "ok");
app.Map("/ws", (HttpContext context, FloorRoom room) => room.AcceptAsync(context, coalesce));
app.Run();
