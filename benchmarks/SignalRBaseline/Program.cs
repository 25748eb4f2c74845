using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using SignalRBaseline;

// The load test's baseline: an ASP.NET Core SignalR hub with the chat's semantics (broadcast every message to every
// connection in one order, ack the sender through the hub method's return value), and nothing else.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR();
builder.Services.AddSingleton<BaselineRoom>();
// Off unless the load test asks for the chat's inline socket scheduling (--inline-sockets).
builder.Services.Configure<SocketTransportOptions>(transport =>
    transport.UnsafePreferInlineScheduling = builder.Configuration.GetValue<bool>("Baseline:InlineSocketScheduling"));

var app = builder.Build();
app.MapGet("/health", () => "ok");
app.MapHub<ChatHub>("/chat");
app.Run();
