// The silo: one container app that runs the actor runtime and serves the HTTP API on port 8080.
param name string
param location string
@description('Must carry azd-service-name = the service name in azure.yaml: azd deploys to the app with that tag.')
param tags object
param environmentId string
@description('User-assigned identity that holds AcrPull on the registry.')
param identityId string
param registryServer string
param image string

param postgresHost string
param postgresDatabase string
param postgresUser string
@secure()
param postgresPassword string

@secure()
param gatewayAdminKey string

param feedKind string
@description('Feed__Symbols__0, __1, ...; none leaves the feed\'s own.')
param feedSymbols array
param calendarKind string
param demoEnabled bool

param alpacaKeyId string
@secure()
param alpacaSecretKey string
param alpacaAccountId string
param alpacaLive bool

// The image serves here already (ASPNETCORE_URLS in the silo's csproj); stated again so that the address, the ingress's
// target port and the probes' port are this template's own whatever image runs.
var port = 8080

var alwaysSecrets = [
  {
    name: 'storage-connection-string'
    // The password is quoted (a quote inside doubled), so any character the server accepts, ';' included, is safe.
    value: 'Host=${postgresHost};Database=${postgresDatabase};Username=${postgresUser};Password=\'${replace(postgresPassword, '\'', '\'\'')}\';SSL Mode=Require'
  }
  {
    name: 'gateway-bootstrap-admin-key'
    value: gatewayAdminKey
  }
]

var alpacaSecrets = [
  {
    name: 'alpaca-secret-key'
    value: alpacaSecretKey
  }
]

var alwaysEnv = [
  {
    name: 'ASPNETCORE_URLS'
    value: 'http://+:${port}'
  }
  {
    // Requests reach the silo through the ingress proxy, so without this every client has the proxy's address: one
    // anonymous rate-limit bucket and one failed-key-lookup bucket for the whole internet, which one client can empty
    // for all. ASP.NET Core then takes the client address and scheme from X-Forwarded-For/-Proto (the last hop, the
    // one the ingress added). Only the ingress can reach the container, so its headers are the only ones trusted.
    name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED'
    value: 'true'
  }
  {
    name: 'Storage__Provider'
    value: 'postgres'
  }
  {
    name: 'Storage__ConnectionString'
    secretRef: 'storage-connection-string'
  }
  {
    name: 'Gateway__BootstrapAdminKey'
    secretRef: 'gateway-bootstrap-admin-key'
  }
  {
    // The app is on the internet: /metrics asks for a key like every other route (locally it answers without one).
    name: 'Gateway__Metrics__RequireAuth'
    value: 'true'
  }
  {
    // One JSON object per log line, so Log Analytics splits the fields.
    name: 'Logging__Format'
    value: 'json'
  }
  {
    name: 'Demo__Enabled'
    value: demoEnabled ? 'true' : 'false'
  }
  {
    // Read only by the placeholder image (the port it listens on); the silo ignores it. It has to stay in the
    // template: azd deploy copies the running revision and swaps just the image.
    name: 'WHOAMI_PORT_NUMBER'
    value: string(port)
  }
]

// Unset, the silo picks them to fit the broker: Alpaca's market data and NYSE's calendar with Alpaca keys (a
// synthetic feed set beside Alpaca keys would price the Alpaca account with simulated prices, and the silo refuses it).
var marketEnv = concat(empty(feedKind) ? [] : [
  {
    name: 'Feed__Kind'
    value: feedKind
  }
], empty(calendarKind) ? [] : [
  {
    name: 'Calendar__Kind'
    value: calendarKind
  }
])

// The silo reads a list from one variable per item. An Alpaca feed subscribes to these symbols and no other.
var feedSymbolsEnv = [for (symbol, i) in feedSymbols: {
  name: 'Feed__Symbols__${i}'
  value: trim(symbol)
}]

// The silo takes any Alpaca section as "Alpaca is configured" and validates it, so without a key id there must be no
// Alpaca variable at all.
var alpacaEnv = [
  {
    name: 'Alpaca__KeyId'
    value: alpacaKeyId
  }
  {
    name: 'Alpaca__SecretKey'
    secretRef: 'alpaca-secret-key'
  }
  {
    name: 'Alpaca__AccountId'
    value: alpacaAccountId
  }
  {
    name: 'Alpaca__Live'
    value: alpacaLive ? 'true' : 'false'
  }
]

var alpacaConfigured = !empty(alpacaKeyId)

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      // One silo per database: a multi-silo cluster is not built (two silos on one database would each activate the
      // same grains). Single mode keeps one active revision; during a deploy the new revision's silo asks the old one
      // to hand the database over and starts serving once it holds it (docs/deployment.md).
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: port
        transport: 'http'
        allowInsecure: false
        traffic: [
          {
            latestRevision: true
            weight: 100
          }
        ]
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: concat(alwaysSecrets, alpacaConfigured ? alpacaSecrets : [])
    }
    template: {
      containers: [
        {
          name: 'silo'
          image: image
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: concat(alwaysEnv, marketEnv, feedSymbolsEnv, alpacaConfigured ? alpacaEnv : [])
          // Allowed ranges (Container Apps probe API): initialDelaySeconds 1-60, periodSeconds 1-240,
          // failureThreshold 1-10, timeoutSeconds 1-240, successThreshold 1 for liveness and startup.
          probes: [
            {
              // A new revision's silo waits for the old revision's silo to hand the database over before it starts
              // (and before it listens), which can take a minute or two. The probe allows
              // initialDelaySeconds + periodSeconds x failureThreshold = 3 + 15 x 10 = 153 s, with failureThreshold
              // at its maximum. The period is kept short rather than at its 240 s maximum because it is also how
              // late a started silo is noticed, and the old silo has stopped serving by then.
              type: 'Startup'
              httpGet: {
                path: '/health/live'
                port: port
                scheme: 'HTTP'
              }
              initialDelaySeconds: 3
              periodSeconds: 15
              failureThreshold: 10
              timeoutSeconds: 5
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/health/live'
                port: port
                scheme: 'HTTP'
              }
              periodSeconds: 10
              failureThreshold: 3
              timeoutSeconds: 5
            }
            {
              // Live, not /health/ready: with one replica, taking it out of the ingress never sends traffic elsewhere,
              // it only answers the platform's 503 to everything, halts, cancels and reads included, while a check
              // fails that the API works around (a silent feed, Alpaca answering 429). /health/ready also calls
              // Alpaca for the key, a request every probe. Readiness stays for monitoring (docs/deployment.md).
              type: 'Readiness'
              httpGet: {
                path: '/health/live'
                port: port
                scheme: 'HTTP'
              }
              periodSeconds: 5
              failureThreshold: 3
              successThreshold: 1
              timeoutSeconds: 5
            }
          ]
        }
      ]
      scale: {
        // Exactly one replica: never none (the silo runs timers, reminders and feeds), never two (see above).
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
