// Everything in fairer's public C++ API.
#pragma once

#include "fairer/area.hpp"
#include "fairer/default_data.hpp"
#include "fairer/deprivation.hpp"
#include "fairer/errors.hpp"
#include "fairer/framework.hpp"
#include "fairer/observations.hpp"
#include "fairer/observations_io.hpp"
#include "fairer/time_period.hpp"
#include "fairer/version.hpp"
