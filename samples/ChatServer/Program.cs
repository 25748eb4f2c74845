using ChatServer.Chat;
using Microsoft.Extensions.Options;

// The multiplayer chat of Reactive.Edits: raw WebSockets, cookie auth, presence, and a Blazor WebAssembly client.
var builder = WebApplication.CreateBuilder(args);

// Options (section "Chat"), the room, presence, validation and the cookie authentication.
builder.AddChat();

var app = builder.Build();

// Content-Security-Policy and friends, on every response, static files included.
app.UseSecurityHeaders();

// The Blazor WebAssembly client's files; in Development they are served from the build output.
if (app.Environment.IsDevelopment())
{
    app.UseWebAssemblyDebugging();
}
app.UseStaticFiles();

// The WebSockets middleware (keep-alive, allowed origins) and the socket at /chat/ws; then the rate limiter and
// authentication for everything else.
app.UseChat();

// /auth, /auth/me, /auth/logout and /health.
app.MapChat();

// The client: its static assets, and index.html for every other path.
app.MapStaticAssets();
app.MapFallbackToFile("index.html");

try
{
    app.Run();
}
catch (Exception startup) when (startup is OptionsValidationException or ChatStartupException)
{
    // A setting the chat cannot work with: its reason (which names the option) on one line, and exit code 1, rather
    // than an unhandled exception's abort (134) and stack.
    Console.Error.WriteLine(startup.Message);
    return 1;
}
return 0;
