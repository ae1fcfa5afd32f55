-- Job tracks of the catalogue in use (delivered, or the demo seed).

select * from {{ ref('stg_catalogue__jobbspar') }}
