using ChatServer.Client;
using ChatServer.Shared;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;

// The browser app: the same C# library as the server, running in WebAssembly.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

var baseAddress = new Uri(builder.HostEnvironment.BaseAddress);
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = baseAddress });
// One chat client per page: the browser sends the session cookie and the page's origin with the socket upgrade.
// Unsent messages live in localStorage, so a reload or a closed tab restores them (pending ones are resent).
builder.Services.AddSingleton(services => new ChatClient(baseAddress, new ChatClientOptions
{
    UnsentMessages = new LocalStorageUnsentMessages((IJSInProcessRuntime)services.GetRequiredService<IJSRuntime>()),
}));

await builder.Build().RunAsync();
